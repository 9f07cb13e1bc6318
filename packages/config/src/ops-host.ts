import { isIP } from 'node:net';
import type { Option } from './option.ts';

/**
 * OPS_HOST, shared by every service: the address the /metrics, /healthz and /readyz server
 * binds. The default 0.0.0.0 (all IPv4 interfaces) is what works in a container, where the
 * probes and Prometheus connect from outside; 127.0.0.1 keeps it private on a shared host.
 */
export const OPS_HOST_OPTION: Option<string> = {
  doc: 'Bind address of the /metrics, /healthz and /readyz server (0.0.0.0 = every IPv4 interface, as containers need; 127.0.0.1 = this host only; :: = IPv6).',
  default: '0.0.0.0',
  expected: 'an IP address (0.0.0.0, 127.0.0.1, ::) or a host name',
  parse(raw) {
    if (
      isIP(raw) === 0 &&
      !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw)
    )
      throw new Error('expected an IP address (0.0.0.0, 127.0.0.1, ::) or a host name');
    return raw;
  },
};
