module.exports = { ...require('../../jest.preset.cjs'), displayName: 'change-event' };
