// Tests use the same temporary repositories as the demo (scripts/support/tempRepo.ts).
export * from '../../scripts/support/tempRepo';
