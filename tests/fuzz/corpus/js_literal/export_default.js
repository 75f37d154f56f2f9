export default [{ script: 'a.py', args: '-u \'q\'', env: { PORT: 0x1F90, 10: .5e1 } },]
