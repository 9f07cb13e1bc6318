// A rules module for the invalidator's RULES_MODULE and `npm run rules:validate -- --rules`.
import { exampleRules } from './example-rules.ts';

export default exampleRules;
