// Infomat privacy-request pipeline: everything it needs in one resource group. `azd up` deploys it (azure.yaml),
// or `az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.json` with the values set.
// No secret goes through this template: scripts/azd/postprovision.sh puts them in Key Vault (docs/deploy.md).
// API versions are the newest GA each resource type has in the pinned Bicep CLI: the linter (use-recent-api-versions,
// an error here) always accepts those, so CI does not start failing as the calendar moves on.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment; used to derive resource names.')
param environmentName string

@description('Azure region for all resources (one where Flex Consumption is offered).')
param location string = resourceGroup().location

@description('Object id of whoever deploys (azd sets it): gets Key Vault Secrets Officer to put the secrets in. Empty: nobody.')
param principalId string = ''

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param principalType string = 'User'

@description('Days the download link of an export works (Privacy:Export:LinkLifetime); the zip is deleted when it ends, and by the lifecycle rule the day after.')
@minValue(1)
@maxValue(30)
param exportLinkLifetimeDays int = 7

@description('Memory per instance (MB): 4096 is two cores, which the export needs to meet its throughput.')
@allowed([ 2048, 4096 ])
param instanceMemoryMB int = 4096

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Always-ready instances for the HTTP functions; 0 lets the app scale to zero (the first request then waits for a cold start).')
@minValue(0)
@maxValue(10)
param alwaysReadyInstances int = 1

@description('Absolute base of the links in mails, e.g. https://privacy.infomat.eu once a custom domain is bound. Empty: the app\'s default host name.')
param publicBaseUrl string = ''

@description('Staff mailbox(es) that receive approval requests and tasks; several separated by ";".')
@minLength(3)
param staffAddress string

@allowed([ 'Nl', 'Fr', 'En' ])
param staffLanguage string = 'Nl'

@description('Second address for escalated reminders and overdue flags (e.g. the DPO). Empty: none.')
param staffEscalationAddress string = ''

@description('Object id of an Entra group whose members are staff (alternative to the Privacy.Staff app role). Empty: the role only.')
param staffGroupId string = ''

@description('Client id of the Entra app registration staff sign in with (App Service Authentication; app role Privacy.Staff).')
@minLength(36)
param staffSignInClientId string

@description('Provider id of the Actionable Email Developer Dashboard registration (the approval card\'s originator). Empty: approval mails carry no card, only the link.')
param actionableMessagesOriginator string = ''

@description('Application ID URI the Actionable Messages registration generated (api://auth-am-...), exposed on the staff sign-in app registration. Empty: no card.')
param actionableMessagesAudience string = ''

@description('SendGrid Event Webhook verification key (Mail Settings > Event Webhook, signed; base64). Empty: bounce reports are not taken (decision 148).')
param sendGridEventWebhookPublicKey string = ''

@description('Sender of requester mail (authenticated in SendGrid).')
param mailFrom string = 'info@infomat.eu'

@description('The shared mailbox the privacy requests arrive in, read through Microsoft Graph.')
param graphMailbox string = 'info@infomat.eu'

@description('Mail__AuthServId: the authserv-id of a mail gateway that writes its own Authentication-Results header above Exchange Online\'s (docs/deploy.md). Empty: Exchange Online\'s own header is read.')
param mailAuthServId string = ''

@description('Client id of the Entra app registration that reads and sends mail for the mailbox (Graph application permissions).')
@minLength(36)
param graphClientId string

@description('Where alerts are mailed. Empty: alerts show in the portal only.')
param alertEmail string = ''

@description('Days Log Analytics keeps logs.')
@minValue(30)
param logRetentionDays int = 90

@description('Address space of the app\'s virtual network (at least a /23: the app subnet and the private endpoint subnet are its first two /24s). Pick one that does not overlap a network it will be peered with (the PostgreSQL server\'s).')
param vnetAddressPrefix string = '10.60.0.0/16'

@description('One public IP address let through the storage and Key Vault firewalls for a maintenance run from outside the network (the post-provision hook, redrive-mail.sh). Empty (the default): public access is off.')
param operatorIpAddress string = ''

@description('Redundancy of the storage account holding the register, audit trail and task hub, kept for years: GZRS (three zones, plus a copy in the paired region, in the EU for EU regions) by default; ZRS keeps every copy in the region (decision 68).')
@allowed([ 'Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS' ])
param recordsStorageSku string = 'Standard_GZRS'

@description('Resource id of an existing Azure Database for PostgreSQL Flexible Server with the stores: gets a private endpoint and DNS zone in the app\'s network. Empty: reach the database another way (docs/deploy.md).')
param postgresServerId string = ''

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }
var deploymentContainerName = 'app-package'

// What requesters, Microsoft Graph and probes reach without signing in. Everything else (/approvals, /tasks,
// /cases...) needs a signed-in staff member.
var publicPaths = [
  '/privacy'
  '/privacy/notice'
  '/privacy/thanks'
  '/privacy/resend'
  '/api/requests'
  '/api/requests/*'
  '/verify'
  '/download'
  '/api/mail/notifications'
  // SendGrid posts its signed event reports (bounces) here; the app checks the signature (decision 148).
  '/api/mail/events'
  // Outlook posts the approval card's actions here with its own token, which the app checks (issue 20).
  '/api/approvals/card'
  '/health'
]

module identity 'app/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-privacy-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-privacy-${resourceToken}'
    applicationInsightsName: 'appi-privacy-${resourceToken}'
    actionGroupName: 'ag-privacy-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    alertEmail: alertEmail
    retentionInDays: logRetentionDays
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'stprivacy${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    skuName: recordsStorageSku
    deploymentContainerName: deploymentContainerName
    workspaceId: monitoring.outputs.workspaceId
    operatorIpAddress: operatorIpAddress
  }
}

// The stores' files (CVs, named after people): an account that sends no resource logs (decision 173).
module storeFiles 'app/storefiles.bicep' = {
  name: 'storeFiles'
  params: {
    name: 'stfiles${take(resourceToken, 17)}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    skuName: recordsStorageSku
    operatorIpAddress: operatorIpAddress
  }
}

// The only storage a browser reaches: the finished zips, behind read-only one-blob links (decision 67).
module exports 'app/exports.bicep' = {
  name: 'exports'
  params: {
    name: 'stexports${take(resourceToken, 15)}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    exportLinkLifetimeDays: exportLinkLifetimeDays
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-privacy-${take(resourceToken, 13)}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    workspaceId: monitoring.outputs.workspaceId
    operatorIpAddress: operatorIpAddress
  }
}

module network 'app/network.bicep' = {
  name: 'network'
  params: {
    name: 'vnet-privacy-${resourceToken}'
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    storageAccountId: storage.outputs.id
    storeFilesAccountId: storeFiles.outputs.id
    keyVaultId: keyVault.outputs.id
    postgresServerId: postgresServerId
  }
}

module functionApp 'app/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: 'plan-privacy-${resourceToken}'
    appName: 'func-privacy-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    subnetId: network.outputs.appSubnetId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    exportsBlobEndpoint: exports.outputs.blobEndpoint
    storeFilesBlobEndpoint: storeFiles.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    keyVaultName: keyVault.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    workspaceId: monitoring.outputs.workspaceId
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
    publicBaseUrl: publicBaseUrl
    exportLinkLifetimeDays: exportLinkLifetimeDays
    staffAddress: staffAddress
    staffLanguage: staffLanguage
    staffEscalationAddress: staffEscalationAddress
    staffGroupId: staffGroupId
    mailFrom: mailFrom
    sendGridEventWebhookPublicKey: sendGridEventWebhookPublicKey
    graphMailbox: graphMailbox
    mailAuthServId: mailAuthServId
    graphClientId: graphClientId
    staffSignInClientId: staffSignInClientId
    actionableMessagesOriginator: actionableMessagesOriginator
    actionableMessagesAudience: actionableMessagesAudience
    publicPaths: publicPaths
  }
}

// azd turns these into environment variables (.azure/<env>/.env); the post-provision hook and docs/deploy.md use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_EXPORTS_STORAGE_ACCOUNT_NAME string = exports.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output PRIVACY_PUBLIC_BASE_URL string = functionApp.outputs.publicBaseUrl
output GRAPH_NOTIFICATION_URL string = '${functionApp.outputs.publicBaseUrl}/api/mail/notifications'
output STAFF_SIGNIN_REDIRECT_URI string = 'https://${functionApp.outputs.defaultHostName}/.auth/login/aad/callback'
