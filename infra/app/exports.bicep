// The exports account (decision 67): the only storage a browser reaches. It holds the finished zips and nothing else, so
// the one public endpoint serves one thing: a blob named in a read-only, one-blob user delegation SAS of minutes to
// days. No shared keys (so no account or service SAS), no public containers, a lifecycle rule of its own; the records,
// audit trail, staging and task hub stay in the main account, which refuses the internet.
param name string
param location string
param tags object

@description('Principal id of the app identity: writes and deletes the zips, signs the download links.')
param appPrincipalId string

@description('Days the download link of an export works; the lifecycle rule deletes the zip the day after.')
@minValue(1)
@maxValue(30)
param exportLinkLifetimeDays int

param workspaceId string

resource exports 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    defaultToOAuthAuthentication: true
    // Public: the requester's browser fetches the zip with the link. Everything it can do there is what the SAS allows.
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'None' }
    sasPolicy: {
      expirationAction: 'Log'
      sasExpirationPeriod: '0.01:00:00'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: exports
  name: 'default'
  properties: {
    // A zip deleted (its link ended, an erasure, a revoked export) is gone the next day at the latest.
    deleteRetentionPolicy: { enabled: true, days: 1 }
    containerDeleteRetentionPolicy: { enabled: true, days: 1 }
    isVersioningEnabled: false
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobs
  name: 'exports'
  properties: { publicAccess: 'None' }
}

// The backstop for a zip the app could not delete when its link ended. It counts from the zip's last change, which the
// app makes when it mails the link (DeliverExport marks the zip delivered), so it never runs out before the link does,
// also when that mail went days after the zip was built.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-06-01' = {
  parent: exports
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-ended-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${container.name}/' ] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: exportLinkLifetimeDays + 1 } } }
          }
        }
      ]
    }
  }
}

// Storage Blob Data Contributor on the one container (write, read, delete the zips); Storage Blob Delegator on the
// account (the user delegation key that signs the links: it grants no data access by itself).
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var blobDelegator = 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'

resource containerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, appPrincipalId, blobDataContributor)
  scope: container
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
  }
}

resource delegatorRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(exports.id, appPrincipalId, blobDelegator)
  scope: exports
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDelegator)
  }
}

// Who wrote or deleted a zip. Reads are left out as on the main account: each download is an audit event of the case.
#disable-next-line use-recent-api-versions // the only GA version (2016-09-01) has no category groups or scope
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobs
  properties: {
    workspaceId: workspaceId
    logs: [ { category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true } ]
  }
}

output name string = exports.name
output blobEndpoint string = exports.properties.primaryEndpoints.blob
