module.exports = { ...require('../../jest.preset.cjs'), displayName: 'infra-checks' };
