// Background workers: no HTTP, they read jobs from Redis.
module.exports = {
  apps: [
    {
      name: 'mailer',
      script: 'workers/mailer.js',
      instances: 2,
      exec_mode: 'fork',
      max_memory_restart: '300M',
      exp_backoff_restart_delay: 100,
      env: {
        QUEUE: 'mail',
        REDIS_URL: 'redis://127.0.0.1:6379/0',
      },
    },
    {
      name: 'report-builder',
      script: 'workers/reports.js',
      max_memory_restart: 536870912, // 512 MiB
      cron_restart: '0 3 * * *',
      autorestart: false,
      stop_exit_codes: [0],
      instances: 2,
      merge_logs: false,
      env: { QUEUE: 'reports', CONCURRENCY: 4 },
    },
  ],
};
