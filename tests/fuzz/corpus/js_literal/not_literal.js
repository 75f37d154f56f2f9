const base = { script: 'a.js' };
module.exports = { apps: [{ ...base, name: `x` }] };
