// A RULES_MODULE for tests that run the service as a process (main.int.test.ts).
import { testRules } from './test-rules.ts';

export default testRules(process.env.TEST_KEY_PREFIX ?? 'inv_main').rules;
