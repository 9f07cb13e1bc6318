module.exports = { ...require('../../jest.preset.cjs'), displayName: 'example-api' };
