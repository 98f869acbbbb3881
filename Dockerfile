# sentinel-agent container image: Node 24 LTS, production dependencies only, non-root, read-only
# friendly (nothing is written outside /tmp). Build: docker build -t sentinel-agent:0.1.0 .

# ---- build: install everything, bundle, then drop the dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "node" devDependency's installer and "prepare" are not needed here; the image
# already runs Node 24 and the bundle is built explicitly below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npx esbuild src/cli/main.ts --bundle --splitting --platform=node --format=esm --target=node24 \
      --packages=external --outdir=dist --entry-names=sentinel-agent --chunk-names='chunks/[name]-[hash]' \
      --out-extension:.js=.mjs --log-level=warning \
 && npm prune --omit=dev --ignore-scripts \
 && rm -rf node_modules/.cache

# ---- runtime: distroless Node 24, non-root ----
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
# The commit `sentinel-agent version` reports (the image has no .git): --build-arg COMMIT=$(git rev-parse HEAD).
ARG COMMIT=""
ENV NODE_ENV=production SENTINEL_AGENT_COMMIT=$COMMIT
# glibc hands freed memory back to the kernel instead of keeping the LIST pages' buffers in its
# arenas (measured at 50,000 pods: steady RSS ~25 MiB lower).
ENV MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
USER 65532:65532
EXPOSE 8080
# distroless runs "node" as its entrypoint: the arguments are the script and its command.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/sentinel-agent.js"]
CMD ["watch"]
