# One image for every Freshen service; the compose file picks the entry point with `command`.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build stage.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
USER node
EXPOSE 9464
CMD ["node", "services/invalidator/src/main.ts"]
