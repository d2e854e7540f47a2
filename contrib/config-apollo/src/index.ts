export { type ApolloSource, type ApolloSourceOptions, createApolloSource } from './apollo-source.ts';
