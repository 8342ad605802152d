// The Functions app on the Flex Consumption plan (.NET 10 isolated worker), running as the user-assigned identity:
// storage (task hub, register, exports) and the deployment package without keys, secrets through Key Vault
// references, telemetry to Application Insights with Entra authentication, and App Service Authentication in front
// of the staff pages.
param planName string
param appName string
param location string
param tags object

@description('Resource id, client id of the app identity.')
param identityId string
param identityClientId string

@description('Subnet (delegated to Microsoft.App/environments) the app sends its outbound traffic through.')
param subnetId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

@description('Blob endpoint of the exports account: the zips and their download links (decision 67).')
param exportsBlobEndpoint string

@description('Blob endpoint of the account holding the stores\' files (CVs): one that sends no resource logs (decision 173).')
param storeFilesBlobEndpoint string

param keyVaultName string
param applicationInsightsConnectionString string
param workspaceId string

@description('Memory per instance (MB). 4096 gives two cores, which the export needs for its throughput.')
@allowed([ 2048, 4096 ])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Instances kept warm for the HTTP functions (form, links, Graph notifications). 0: scale to zero.')
@minValue(0)
param alwaysReadyInstances int

@description('Absolute base of every link in mails. Empty: https://{default host name}.')
param publicBaseUrl string

@description('Days the download link of an export works.')
param exportLinkLifetimeDays int

@description('Staff mailbox(es) for approval requests and tasks, ";"-separated.')
param staffAddress string
param staffLanguage string
param staffEscalationAddress string
param staffGroupId string
param mailFrom string
@description('SendGrid Event Webhook verification key (public, base64); empty: no bounce reports.')
param sendGridEventWebhookPublicKey string
param graphMailbox string
@description('Authserv-id of the gateway whose Authentication-Results header the app reads; empty: Exchange Online\'s.')
param mailAuthServId string
param graphClientId string

@description('Client id of the Entra app registration staff sign in with (App Service Authentication).')
param staffSignInClientId string
param actionableMessagesOriginator string
param actionableMessagesAudience string

@description('Paths anyone may open without signing in; every other path needs a signed-in staff member.')
param publicPaths array

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    // Flex Consumption VNet integration: storage (task hub, records, deployment package), Key Vault (references) and
    // the stores' PostgreSQL are reached through this subnet and the private endpoints (network.bicep).
    virtualNetworkSubnetId: subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyInstances > 0 ? [ { name: 'http', instanceCount: alwaysReadyInstances } ] : []
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
  }
}

// Deployment through basic (publishing) credentials is off: azd and the CLI deploy with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

// A setting read from Key Vault by the platform with the app identity (versionless: a rotated secret is picked up).
var vault = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName='

// Every secret is a Key Vault reference; nothing secret is a plain value here (tests/.../InfrastructureTemplateTests).
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // The Durable Functions task hub and the app's own storage clients, through the identity.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    AZURE_CLIENT_ID: identityClientId
    // Not a secret (ingestion needs an Entra token: local authentication is off on the component).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    Privacy__PublicBaseUrl: empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl
    Privacy__Tokens__SigningKey: '${vault}token-signing-key)'
    Privacy__Pseudonymisation__Key: '${vault}pseudonymisation-key)'
    Privacy__KeyRing__EncryptionKey: '${vault}keyring-encryption-key)'
    // The finished exports: an account of their own, the one a browser may reach (the records account refuses the internet).
    Exports__BlobServiceUri: exportsBlobEndpoint
    Privacy__Export__LinkLifetime: '${exportLinkLifetimeDays}.00:00:00'
    Privacy__Staff__RequireSignIn: 'true'
    Privacy__Staff__Role: 'Privacy.Staff'
    Privacy__Staff__Group: staffGroupId
    // The app checks each staff request's ID token itself (signature by this tenant's keys, issuer, audience, lifetime).
    Privacy__Staff__TenantId: tenant().tenantId
    Privacy__Staff__ClientId: staffSignInClientId
    Privacy__Staff__Address: staffAddress
    Privacy__Staff__Language: staffLanguage
    Privacy__Staff__EscalationAddress: staffEscalationAddress
    Privacy__ActionableMessages__Originator: actionableMessagesOriginator
    Privacy__ActionableMessages__Audience: actionableMessagesAudience
    Mail__From: mailFrom
    Mail__SendGrid__ApiKey: '${vault}sendgrid-api-key)'
    // Public (it only verifies SendGrid's signature), so not in Key Vault.
    Mail__SendGrid__EventWebhookPublicKey: sendGridEventWebhookPublicKey
    Mail__Graph__Mailbox: graphMailbox
    // A parameter, not a setting added by hand: the next provision replaces the whole list of settings.
    Mail__AuthServId: mailAuthServId
    Mail__Graph__TenantId: tenant().tenantId
    Mail__Graph__ClientId: graphClientId
    Mail__Graph__ClientSecret: '${vault}graph-client-secret)'
    Mail__Graph__ClientState: '${vault}graph-client-state)'
    Stores__Provider: 'postgres'
    Stores__PostgresConnectionString: '${vault}stores-connection-string)'
    Stores__SeedDemoData: 'false'
    // No DDL at run time (issue 19): the app's own tables are created once by ops (docs/deploy.md); a missing one is
    // reported as a schema problem of its store.
    Stores__CreateSystemTables: 'false'
    // The stores' files (CVs): a blob container per store in their own account, which sends no resource logs (storefiles.bicep).
    Stores__FilesStorage: 'blob'
    Stores__FilesBlobServiceUri: storeFilesBlobEndpoint
    // App Service Authentication's client secret for the staff sign-in app registration.
    MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: '${vault}staff-signin-client-secret)'
  }
}

// Staff pages need a signed-in member of the tenant. The token store passes the ID token to the app
// (X-MS-TOKEN-AAD-ID-TOKEN), which validates it and requires the Privacy.Staff role (or the group) from its claims: the
// unsigned principal header alone lets nobody in. Requesters, Graph and the health probe reach the public paths only.
resource auth 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: publicPaths
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: { convention: 'NoProxy' }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: staffSignInClientId
          clientSecretSettingName: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
        }
        validation: {
          allowedAudiences: [ 'api://${staffSignInClientId}', staffSignInClientId ]
        }
      }
    }
    login: {
      // On: without it the platform passes no token, and the app (which checks the token itself) lets no staff in.
      tokenStore: { enabled: true }
      // The session ends with the ID token (about an hour): the platform signs the person in again (silently while
      // their Entra session lasts) instead of passing an expired token the app would refuse.
      cookieExpiration: { convention: 'IdentityProviderDerived' }
      preserveUrlFragmentsForLogins: false
    }
  }
  dependsOn: [ appSettings ]
}

#disable-next-line use-recent-api-versions // the only GA version (2016-09-01) has no category groups or scope
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: app
  properties: {
    workspaceId: workspaceId
    logs: [ { category: 'FunctionAppLogs', enabled: true } ]
    metrics: [ { category: 'AllMetrics', enabled: true } ]
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output publicBaseUrl string = empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl
