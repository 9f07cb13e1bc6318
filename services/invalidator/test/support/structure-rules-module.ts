// A RULES_MODULE for tests that run the service as a process with structure rules.
import { structureRules } from './structure-rules.ts';

export default structureRules(process.env.TEST_KEY_PREFIX ?? 'inv_main').rules;
