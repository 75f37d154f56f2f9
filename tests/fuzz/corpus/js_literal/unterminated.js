module.exports = { apps: [ { script: '\u{1F600}\x41\
', /* open