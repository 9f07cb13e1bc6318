module.exports = { ...require('../../jest.preset.cjs'), displayName: 'redis-client' };
