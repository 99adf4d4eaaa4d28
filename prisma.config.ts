import { defineConfig } from 'prisma/config';

// The URL is only needed by Prisma CLI commands that talk to a database
// (none of which this project runs in CI: migrations go through
// `sync-worker migrate`). A placeholder keeps `prisma generate` working
// on machines with no DATABASE_URL set.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  },
});
