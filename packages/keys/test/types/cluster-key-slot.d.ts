// cluster-key-slot (the slot function ioredis uses) ships no types; tests use it as an independent reference.
declare module 'cluster-key-slot' {
  export default function generate(key: string | Buffer): number;
}
