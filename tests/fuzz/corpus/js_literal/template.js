module.exports = {
  apps: [{ name: 'a', script: `x${y}` }]
}
