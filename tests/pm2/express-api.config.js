/*
 * Orders API (Express), one process, deployed by PM2 over ssh.
 */
module.exports = {
  apps: [{
    name: "orders-api",
    script: "./src/server.js",
    exec_mode: "fork",
    instances: 1,
    node_args: "--max-old-space-size=512",
    watch: false,
    ignore_watch: ["node_modules", "logs"],
    kill_timeout: 5000,
    wait_ready: true,
    listen_timeout: 10000,
    min_uptime: "10s",
    max_restarts: 10,
    restart_delay: 2000,
    autorestart: true,
    out_file: "/var/log/orders/out.log",
    error_file: "/var/log/orders/err.log",
    log_date_format: "YYYY-MM-DD HH:mm Z",
    env: {
      NODE_ENV: "production",
      PORT: 4000,
      DATABASE_POOL: 10,
      GREETING: `Hello "orders"\tteam`,
    },
  }],
  deploy: {
    production: {
      user: "deploy",
      host: ["10.0.0.5"],
      ref: "origin/main",
      repo: "git@github.com:acme/orders.git",
      path: "/srv/orders",
      "post-deploy": "npm ci && pm2 reload ecosystem.config.js --env production",
    },
  },
};
