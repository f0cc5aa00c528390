export * from './errors';
export * from './types';
export * from './ports';
export * from './paths';
export * from './project-files';
