// Storefront (Next.js), one process per core behind PM2's cluster mode.
// Started with: pm2 start ecosystem.config.js --env production
module.exports = {
  apps: [
    {
      name: 'storefront',
      script: 'node_modules/next/dist/bin/next',
      args: 'start',
      cwd: './web',
      instances: 'max',
      exec_mode: 'cluster',
      max_memory_restart: '1G',
      merge_logs: true,
      time: true,
      env: {
        NODE_ENV: 'development',
        PORT: 3000,
      },
      env_production: {
        NODE_ENV: 'production',
        PORT: 8080,
        NEXT_TELEMETRY_DISABLED: 1,
      },
    },
  ],
};
