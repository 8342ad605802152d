// The stores' files (CVs), in an account of their own (decision 173). A file's blob is named after the file its record
// names, and CVs are named after people ("CV_Jan_Janssens.pdf"): in the main account, whose writes and deletes go to
// Log Analytics, an erasure wrote the applicant's name into the workspace as it deleted the file, to stay there for the
// workspace's retention. This account sends no resource logs: what an erasure deleted is counted in the case's audit
// trail. Like the records, it refuses the internet and is reached over a private endpoint (network.bicep).
param name string
param location string
param tags object

@description('Principal id of the app identity: reads the files for an access export and deletes them with their records.')
param appPrincipalId string

@description('Replication of the account: the records account\'s (recordsStorageSku).')
param skuName string

@description('One public IP address let through the firewall for a maintenance run; empty: public access off.')
param operatorIpAddress string

@description('The blob containers of the stores whose tables hold files: {entity}-{store}-files (StoreFileNames.Container).')
param containers array = [ 'be-recruitment-files', 'nl-recruitment-files' ]

resource files 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    defaultToOAuthAuthentication: true
    publicNetworkAccess: empty(operatorIpAddress) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: empty(operatorIpAddress) ? [] : [ { value: operatorIpAddress, action: 'Allow' } ]
    }
    sasPolicy: {
      expirationAction: 'Log'
      sasExpirationPeriod: '0.01:00:00'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: files
  name: 'default'
  properties: {
    // A file deleted with its record (an erasure, a hold's end) is gone the next day at the latest; no versions, change
    // feed or restore points would keep an erased CV restorable (decision 68).
    deleteRetentionPolicy: { enabled: true, days: 1 }
    containerDeleteRetentionPolicy: { enabled: true, days: 1 }
    isVersioningEnabled: false
    changeFeed: { enabled: false }
    restorePolicy: { enabled: false }
  }
}

resource containerResources 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = [for container in containers: {
  parent: blobs
  name: container
  properties: { publicAccess: 'None' }
}]

// Storage Blob Data Contributor on each container (read for an export, delete with an erasure; the demo seed writes).
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource containerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (container, i) in containers: {
  name: guid(containerResources[i].id, appPrincipalId, blobDataContributor)
  scope: containerResources[i]
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
  }
}]

// No diagnostic settings on purpose (see the top of this file).

output id string = files.id
output name string = files.name
output blobEndpoint string = files.properties.primaryEndpoints.blob
