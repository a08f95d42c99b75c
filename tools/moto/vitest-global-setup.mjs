// Vitest globalSetup: one moto server for the whole test run; tests read its URL with inject('awsEndpoint').
import { ensureMoto, startMoto, useMoto } from './moto.mjs';

let moto;

export async function setup(project) {
  ensureMoto();
  moto = await startMoto();
  // Test workers are started after this and inherit the environment, so SDK clients and the serverless
  // CLI in tests reach moto (with fake credentials) without any configuration.
  useMoto(process.env, moto.endpoint);
  project.provide('awsEndpoint', moto.endpoint);
}

export async function teardown() {
  await moto?.stop();
}
