// First template: the storage the pipeline needs (case register tables, staging and exports containers) and the
// user-assigned identity that reaches it without keys. The Function App, Key Vault, monitoring and sign-in follow
// in the infrastructure issue.
targetScope = 'resourceGroup'

@description('Name of the azd environment; used to derive resource names.')
param environmentName string

@description('Azure region for all resources.')
param location string = resourceGroup().location

@description('Days after which exports are deleted by the lifecycle policy.')
@minValue(1)
param exportRetentionDays int = 30

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-privacy-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'stprivacy${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    defaultToOAuthAuthentication: true
    sasPolicy: {
      expirationAction: 'Log'
      sasExpirationPeriod: '0.01:00:00'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: 'exports'
  properties: { publicAccess: 'None' }
}

resource stagingContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: 'staging'
  properties: { publicAccess: 'None' }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${exportsContainer.name}/', '${stagingContainer.name}/' ] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: exportRetentionDays } } }
          }
        }
      ]
    }
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource casesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tables
  name: 'PrivacyCases'
}

resource usedTokensTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tables
  name: 'PrivacyUsedTokens'
}

resource auditTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tables
  name: 'PrivacyAudit'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

// Graph notifications are queued here and handled by the queue trigger; failures end in mail-inbound-poison.
resource mailInboundQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queues
  name: 'mail-inbound'
}

// Storage Blob Data Owner, Storage Table Data Contributor, Storage Queue Data Contributor: the app's data (and the
// mail queue), through its identity only.
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, blobDataOwner)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, tableDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, queueDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataContributor)
  }
}

output AZURE_STORAGE_BLOB_ENDPOINT string = storage.properties.primaryEndpoints.blob
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.properties.primaryEndpoints.table
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.properties.primaryEndpoints.queue
output PRIVACY_MAIL_QUEUE string = mailInboundQueue.name
output PRIVACY_AUDIT_TABLE string = auditTable.name
output AZURE_IDENTITY_CLIENT_ID string = identity.properties.clientId
output PRIVACY_CASES_TABLE string = casesTable.name
output PRIVACY_USED_TOKENS_TABLE string = usedTokensTable.name
