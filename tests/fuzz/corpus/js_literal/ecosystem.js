'use strict';
/* a block comment */ module.exports = {
  apps: [{ name: 'web', script: 'server.js', instances: 'max', exec_mode: 'cluster',
    env: { PORT: 3000 }, env_production: { NODE_ENV: "production" }, watch: ['src'], }],
  deploy: { production: { host: 'a' } },
}
