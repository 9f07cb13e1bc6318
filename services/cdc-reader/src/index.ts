export { loadReaderConfig, readerConfigSchema, type ReaderConfig } from './config.ts';
export { startReader, type Reader, type ReaderRole } from './reader.ts';
