module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cdc-reader' };
