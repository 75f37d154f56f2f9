// A Python model server in a virtualenv, a Celery beat and a shell scheduler.
module.exports = {
  apps: [
    {
      name: "ml.scoring",
      script: "serve.py",
      interpreter: "/srv/scoring/.venv/bin/python",
      interpreter_args: "-u",
      args: ["--workers", "2"],
      cwd: "/srv/scoring",
      instances: 2,
      max_memory_restart: "2G",
      kill_timeout: 3000,
      env: {
        PORT: "5000",
        PYTHONUNBUFFERED: "1",
      },
    },
    {
      name: "beat",
      script: "beat.py",
      args: "--loglevel 'info'",
      cwd: "/srv/scoring",
      node_args: "--inspect",
      env: { CELERY_BROKER: "redis://localhost:6379/1" },
    },
    {
      name: "cleanup",
      script: "bin/cleanup.sh",
      cwd: "/srv/scoring",
      cron_restart: "*/15 * * * *",
      autorestart: false,
    },
  ],
};
