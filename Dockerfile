# The scenegate worker (and, for offline use, the Replicate emulator) as a container.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV SCENEGATE_STATE_DIR=/data
VOLUME /data
CMD ["npx", "tsx", "worker/main.ts"]
