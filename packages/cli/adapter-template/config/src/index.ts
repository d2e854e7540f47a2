export { type __Name__Source, type __Name__SourceOptions, create__Name__Source } from './__name__-source.ts';
