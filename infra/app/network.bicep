// The app's private network (issue 19): the Function App leaves through the 'app' subnet (Flex Consumption VNet
// integration), and reaches the storage account (blob, queue, table) and Key Vault only through private endpoints in
// the 'privateEndpoints' subnet, whose addresses the private DNS zones give for the services' usual names. With public
// access off on both, the register, audit trail, staged records, task hub, key ring and secrets have no public path.
param name string
param location string
param tags object

@description('Address space of the network, e.g. 10.60.0.0/16: the app subnet is its first /24, the private endpoints its second.')
param addressPrefix string

@description('Resource id of the storage account holding the register, audit trail, staging, task hub and key ring.')
param storageAccountId string

@description('Resource id of the account holding the stores\' files (CVs; storefiles.bicep): its blob service.')
param storeFilesAccountId string

@description('Resource id of the Key Vault.')
param keyVaultId string

@description('Resource id of an existing Azure Database for PostgreSQL Flexible Server holding the stores; empty: none (docs/deploy.md).')
param postgresServerId string

resource network 'Microsoft.Network/virtualNetworks@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [ addressPrefix ] }
    subnets: [
      {
        // Flex Consumption integrates through a subnet delegated to Microsoft.App/environments (not Microsoft.Web).
        name: 'app'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [ { name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } } ]
          defaultOutboundAccess: false
        }
      }
      {
        name: 'privateEndpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
          defaultOutboundAccess: false
        }
      }
    ]
  }
}

resource appSubnet 'Microsoft.Network/virtualNetworks/subnets@2026-03-01' existing = {
  parent: network
  name: 'app'
}

resource endpointSubnet 'Microsoft.Network/virtualNetworks/subnets@2026-03-01' existing = {
  parent: network
  name: 'privateEndpoints'
}

// One endpoint per service the app calls, each with its zone: the Durable task hub uses all three storage services.
var targets = [
  { name: 'blob', resourceId: storageAccountId, zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { name: 'queue', resourceId: storageAccountId, zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { name: 'table', resourceId: storageAccountId, zone: 'privatelink.table.${environment().suffixes.storage}' }
  { name: 'vault', resourceId: keyVaultId, zone: 'privatelink.vaultcore.azure.net' }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for target in targets: {
  name: target.zone
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (target, i) in targets: {
  parent: zones[i]
  name: network.name
  location: 'global'
  tags: tags
  properties: {
    virtualNetwork: { id: network.id }
    registrationEnabled: false
  }
}]

resource endpoints 'Microsoft.Network/privateEndpoints@2026-03-01' = [for target in targets: {
  name: 'pe-${target.name}-${last(split(target.resourceId, '/'))}'
  location: location
  tags: tags
  properties: {
    subnet: { id: endpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: target.name
        properties: { privateLinkServiceId: target.resourceId, groupIds: [ target.name ] }
      }
    ]
  }
}]

resource endpointZones 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = [for (target, i) in targets: {
  parent: endpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [ { name: target.name, properties: { privateDnsZoneId: zones[i].id } } ]
  }
}]

// The stores' PostgreSQL server (Infomat's own, usually in another resource group), when its id is given: reached
// through an endpoint in this network under its usual host name; turn its public access off afterwards (docs/deploy.md).
resource postgresZone 'Microsoft.Network/privateDnsZones@2024-06-01' = if (!empty(postgresServerId)) {
  name: 'privatelink.postgres.database.azure.com'
  location: 'global'
  tags: tags
}

resource postgresZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = if (!empty(postgresServerId)) {
  parent: postgresZone
  name: network.name
  location: 'global'
  tags: tags
  properties: {
    virtualNetwork: { id: network.id }
    registrationEnabled: false
  }
}

resource postgresEndpoint 'Microsoft.Network/privateEndpoints@2026-03-01' = if (!empty(postgresServerId)) {
  name: 'pe-postgres-${last(split(postgresServerId, '/'))}'
  location: location
  tags: tags
  properties: {
    subnet: { id: endpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: 'postgres'
        properties: { privateLinkServiceId: postgresServerId, groupIds: [ 'postgresqlServer' ] }
      }
    ]
  }
}

resource postgresEndpointZone 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = if (!empty(postgresServerId)) {
  parent: postgresEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [ { name: 'postgres', properties: { privateDnsZoneId: postgresZone.id } } ]
  }
}

output appSubnetId string = appSubnet.id
output id string = network.id

// The stores' files account (decision 173): its blob service, in the blob zone above.
resource storeFilesEndpoint 'Microsoft.Network/privateEndpoints@2026-03-01' = {
  name: 'pe-blob-${last(split(storeFilesAccountId, '/'))}'
  location: location
  tags: tags
  properties: {
    subnet: { id: endpointSubnet.id }
    privateLinkServiceConnections: [
      {
        name: 'blob'
        properties: { privateLinkServiceId: storeFilesAccountId, groupIds: [ 'blob' ] }
      }
    ]
  }
}

resource storeFilesEndpointZone 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = {
  parent: storeFilesEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [ { name: 'blob', properties: { privateDnsZoneId: zones[0].id } } ]
  }
}
