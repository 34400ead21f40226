// The real Claude Code with Lockstep's hooks, driven by the scripted model endpoint.
import { commonScenarios } from './scenarios';

commonScenarios('claude');
