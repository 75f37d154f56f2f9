// Not literals: read through node.
const path = require('path');

const shared = { NODE_ENV: 'production', LOG_LEVEL: 'info' };

module.exports = {
  apps: ['api', 'jobs'].map((name, index) => ({
    name,
    script: path.join('dist', `${name}.js`),
    cwd: path.join('services', name),
    instances: name === 'api' ? 2 : 1,
    env: { ...shared, ...(name === 'api' ? { PORT: 7000 + index } : {}) },
  })),
};
