import type { CodegenConfig } from '@graphql-codegen/cli';

// TypeScript types for the frontend come from the same schema.graphqls that gqlgen reads, so Go and TS
// cannot drift. Operations are written with graphql(`…`) next to the component that runs them.
const config: CodegenConfig = {
  schema: 'schema.graphqls',
  documents: ['frontend/src/**/*.{ts,tsx}', '!frontend/src/gql/**/*', '!frontend/src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: true,
  generates: {
    'frontend/src/gql/': {
      preset: 'client',
      presetConfig: {
        // Components read the fields they select directly; no fragment masking.
        fragmentMasking: false,
      },
      config: {
        scalars: { Time: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
