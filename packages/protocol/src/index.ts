export * from './rows';
export * from './projects';
export * from './auth';
export * from './envelopes';
export * from './time';
export * from './names';
export * from './sync-api';
