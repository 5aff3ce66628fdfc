# Production image: one image holds both programs (manager and worker); the Deployment and the
# worker pods choose the entry point. Build the bundles first with `npm ci && npm run build`.
FROM node:24-slim
WORKDIR /app
COPY dist/ /app/dist/
USER 65532:65532
ENTRYPOINT ["node"]
CMD ["/app/dist/eraser-manager"]
