# The scenegate worker (and the CLI, the review console and, for offline use, the Replicate
# emulator) as a container, built from `npm run build`: plain JavaScript and a prebuilt workflow
# bundle, so the worker starts without tsx or webpack.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# npm ci runs the package's prepare script, which builds dist/ once the sources are there (below)
COPY package.json package-lock.json ./
COPY scripts/prepare.js ./scripts/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production SCENEGATE_STATE_DIR=/data
# less memory for the same speed (see productionWorkerEnv in devenv/production-build.ts)
ENV NODE_OPTIONS=--max-semi-space-size=1 MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
COPY scripts/prepare.js ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# read at run time from the project root: the model catalogue, the console's page assets, the example plans
COPY catalogue ./catalogue
COPY client/console/assets ./client/console/assets
COPY examples ./examples
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
CMD ["node", "dist/worker.js"]
