# sync-worker image: one image, the command picks the role
# (`migrate`, `start`, `worker`, `api`, …; see docker-compose.yml).

# --- build: install everything, generate the Prisma client, compile, drop dev deps
FROM node:24-slim AS build
WORKDIR /app
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# `npm ci` runs `prepare`: prisma generate (offline) + npm run build.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: compiled code, production deps and the migrations, as a non-root user
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/sync-worker.js"]
CMD ["start"]
