// Key Vault in RBAC mode for every secret the app reads (through Key Vault references resolved with the app's
// identity). The secrets' values are put in by scripts/azd/postprovision.sh, never by this template.
param name string
param location string
param tags object

@description('Principal id of the app identity (Key Vault Secrets User: read secret values, nothing else).')
param appPrincipalId string

@description('Principal id of the person or pipeline deploying (Key Vault Secrets Officer, to set the secrets). Empty: none.')
param deployerPrincipalId string

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param deployerPrincipalType string

param workspaceId string

@description('One public IP address let through the firewall for a maintenance run; empty: public access off.')
param operatorIpAddress string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // Reached from the app's network through private endpoints (network.bicep); from nowhere else unless ops name one
    // address for a maintenance run (operatorIpAddress). No trusted-service bypass.
    publicNetworkAccess: empty(operatorIpAddress) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: empty(operatorIpAddress) ? [] : [ { value: operatorIpAddress } ]
    }
  }
}

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource appSecretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, secretsUser)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

resource deployerSecretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, secretsOfficer)
  scope: vault
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
  }
}

// Every read and change of a secret, by whom.
#disable-next-line use-recent-api-versions // the only GA version (2016-09-01) has no category groups or scope
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [ { categoryGroup: 'audit', enabled: true } ]
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
