// The real Copilot CLI with Lockstep's hooks, driven by the scripted model endpoint.
import { commonScenarios } from './scenarios';

commonScenarios('copilot');
