# One image for every Freshen service: the `freshen` executable, whose subcommand (`reader`,
# `invalidator`, or any operator command) the compose file or the orchestrator gives as the
# command. Node 24 runs the TypeScript sources directly (type stripping), so there is no build stage.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
USER node
EXPOSE 9464
# Liveness, not readiness: /healthz turns 503 only when the process is wedged or has failed for
# good (a restart helps); /readyz also turns 503 while Kafka, Redis or Postgres is away, when a
# restart would not help. METRICS_PORT is the ops server's port (9464 unless set).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "packages/cli/src/bin/freshen.ts"]
CMD ["invalidator"]
