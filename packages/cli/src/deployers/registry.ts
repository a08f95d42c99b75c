// Which deployer a service uses: each adapter is loaded when a service needs it.
import type { DeployerConfig } from '../config/config.js';
import type { Deployer } from './contract.js';

export async function deployerFor(config: DeployerConfig): Promise<Deployer> {
  switch (config.type) {
    case 'serverless':
      return new (await import('./serverless.js')).ServerlessDeployer(config);
    case 'npm-script':
      return new (await import('./npm-script.js')).NpmScriptDeployer(config.script ?? 'deploy');
    case 'command':
      return new (await import('./command.js')).CommandDeployer(
        config.command,
        config.remove ?? null,
        config.package ?? null,
      );
    case 'cloudformation':
      return new (await import('./cloudformation.js')).CloudFormationDeployer(config);
    case 'lambda':
      return new (await import('./lambda.js')).LambdaDeployer(config);
  }
}
