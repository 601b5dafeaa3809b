"""Real DCR transformations from Microsoft's Sentinel connectors (Azure/Azure-Sentinel, MIT licence).

Each entry: the DCR file (path at the commit read), the input stream's columns and the data flow's
``transformKql``, copied as published. They must stay accepted by the strict transformation dialect.
"""

from __future__ import annotations

_MERAKI = (
    "Solutions/Cisco Meraki Events via REST API/Data Connectors/CiscoMerakiMultiRule_ccp/"
    "CiscoMeraki_dcr.json@022f96e4d6b10f2b6c54cc85954cd31c60733da0"
)


def _cols(spec: str) -> dict[str, str]:
    return dict(pair.split(":") for pair in spec.split())


def _strings(spec: str) -> dict[str, str]:
    """Columns whose type is left out are strings."""
    return _cols(" ".join(p if ":" in p else p + ":string" for p in spec.split()))


SENTINEL_DCRS: list[tuple[str, dict[str, str], str]] = [
    (
        "Solutions/1Password/Data Connectors/1Password_ccpv2/1Password_DCR.json"
        "@06bb3537ce2058f2ec13b230382e7de66d8728e2",
        _cols(
            "uuid:string session_uuid:string timestamp:datetime country:string category:string type:string "
            "details:dynamic target_user:dynamic client:dynamic location:dynamic actor_uuid:string "
            "actor_details:dynamic actor_type:string actor_account_uuid:string account_uuid:string "
            "user_type:string user_account_uuid:string action:string object_type:string object_uuid:string "
            "object_details:dynamic aux_id:int aux_uuid:string aux_details:dynamic aux_info:string "
            "session:dynamic used_version:int vault_uuid:string item_uuid:string user:dynamic"
        ),
        "source | extend TimeGenerated = now(), uuid_s = tostring(uuid), action_type = tostring(['type']), "
        "log_source = case(isnotempty(used_version) or isnotempty(aux_id), 'itemusages', isnotempty(country), "
        "'signinattempts', isempty(used_version) and isempty(aux_id) and isempty(country), 'auditevents', "
        "'unknown')",
    ),
    (
        "Solutions/Auth0/Data Connectors/Auth0_CCP/DCR.json@387dc48ab94abad3c48eedc0f34bcf6f5605d7cd",
        _cols(
            "date:datetime type:string description:string connection:string connection_id:string "
            "client_id:string client_name:string ip:string user_agent:string hostname:string user_id:string "
            "user_name:string audience:string scope:string strategy:string strategy_type:string "
            "location_info:dynamic details:dynamic log_id:string tenant_name:string isMobile:bool"
        ),
        "source| extend TimeGenerated = ['date'] , EventType = type | project-rename Description = description, "
        "Connection = connection, ConnectionId = connection_id, ClientId = client_id, ClientName = client_name, "
        "SrcIpAddr = ip, HttpUserAgent = user_agent, SrcHostname = hostname, ActorUserId = user_id, "
        "ActorUsername = user_name, Audience = audience, Scope = scope, Strategy = strategy, "
        "StrategyType = strategy_type, LocationInfo = location_info, Details = details, LogId = log_id, "
        "TenantName = tenant_name, IsMobile = isMobile | project-away ['date'], type",
    ),
    (
        _MERAKI,
        _cols(
            "id:string name:string url:string api:dynamic licensing:dynamic cloud:dynamic management:dynamic"
        ),
        "source | extend TimeGenerated = now() , OrganizationId = ['id'] , OrganizationName = ['name'] , "
        "DashboardUrl = ['url'] , Api = ['api'] , Licensing = ['licensing'] , Cloud = ['cloud'] , "
        "Management = ['management'] | project TimeGenerated , OrganizationId , OrganizationName , "
        "DashboardUrl , Api , Licensing , Cloud , Management",
    ),
    (
        _MERAKI,
        _cols(
            "id:string organizationId:string name:string productTypes:dynamic timeZone:string tags:dynamic "
            "enrollmentString:string url:string notes:string isBoundToConfigTemplate:bool"
        ),
        "source | extend TimeGenerated = now() , NetworkId = ['id'] , OrganizationId = ['organizationId'] , "
        "NetworkName = ['name'] , ProductTypes = ['productTypes'] , TimeZone = ['timeZone'] , Tags = ['tags'] , "
        "EnrollmentString = ['enrollmentString'] , DashboardUrl = ['url'] , Notes = ['notes'] , "
        "IsBoundToConfigTemplate = ['isBoundToConfigTemplate'] | project TimeGenerated , NetworkId , "
        "OrganizationId , NetworkName , ProductTypes , TimeZone , Tags , EnrollmentString , DashboardUrl , "
        "Notes , IsBoundToConfigTemplate",
    ),
    (
        _MERAKI,
        _cols(
            "ssid:string bssids:dynamic channels:dynamic firstSeen:datetime lastSeen:datetime wiredMacs:dynamic "
            "wiredVlans:dynamic wiredLastSeen:datetime networkId:string"
        ),
        "source | extend TimeGenerated = iff(isnull(lastSeen), now(), todatetime(lastSeen)) , Ssid = ['ssid'] , "
        "Bssids = ['bssids'] , Channels = ['channels'] , FirstSeen = ['firstSeen'] , LastSeen = ['lastSeen'] , "
        "WiredMacs = ['wiredMacs'] , WiredVlans = ['wiredVlans'] , WiredLastSeen = ['wiredLastSeen'] , "
        "NetworkId = ['networkId'] | project TimeGenerated , Ssid , Bssids , Channels , FirstSeen , LastSeen , "
        "WiredMacs , WiredVlans , WiredLastSeen , NetworkId",
    ),
    (
        _MERAKI,
        _strings(
            "ts:datetime adminEmail adminId networkId oldValue newValue networkName page eventTypePlaceholder "
            "label eventResult eventProduct eventVendor eventSeverity actorUsernameType actorUserType "
            "actorUserIdType objectType eventSchemaVersion eventCount"
        ),
        "source | extend TimeGenerated = ts , ActorUsername = ['adminEmail'] , ActorUserId = ['adminId'] , "
        "ObjectId = ['networkId'] , OldValue = ['oldValue'] , NewValue = ['newValue'] , Object = ['networkName'] , "
        "Operation = strcat(['page'], '/', ['label']) , EventType = case(isempty(['oldValue']), 'Create', "
        "isempty(['newValue']), 'Delete', 'Set') , EventResult = ['eventResult'] , EventProduct = ['eventProduct'] , "
        "EventVendor = ['eventVendor'] , EventSeverity = ['eventSeverity'] , ActorUsernameType = "
        "['actorUsernameType'] , ActorUserType = ['actorUserType'] , ActorUserIdType = ['actorUserIdType'] , "
        "ObjectType = ['objectType'] , EventSchemaVersion = ['eventSchemaVersion'] , EventCount = "
        "toint(['eventCount']) | project TimeGenerated , ActorUsername , ActorUserId , ObjectId , OldValue , "
        "NewValue , Object , Operation , EventType , EventResult , EventProduct , EventVendor , EventSeverity , "
        "ActorUsernameType , ActorUserType , ActorUserIdType , ObjectType , EventSchemaVersion , EventCount",
    ),
    (
        _MERAKI,
        _strings(
            "ts:datetime eventType deviceMac clientMac srcIp destIp protocol priority message ruleId clientName "
            "signature classification eventSeverityPlaceholder eventResultPlaceholder blocked:bool idsEventType "
            "eventProduct eventVendor eventSchemaVersion eventCount"
        ),
        "source | extend TimeGenerated = ts , EventOriginalType = ['eventType'] , DvcMacAddr = ['deviceMac'] , "
        "SrcMacAddr = ['clientMac'] , SrcIpAddr = tostring(split(['srcIp'], ':')[0]) , DstIpAddr = "
        "tostring(split(['destIp'], ':')[0]) , NetworkProtocol = case(['protocol'] == 'tcp/ip', 'TCP', "
        "['protocol'] == 'udp/ip', 'UDP', ['protocol']) , EventOriginalSeverity = ['priority'] , EventMessage = "
        "['message'] , RuleName = ['ruleId'] , SrcHostname = ['clientName'] , ThreatName = ['signature'] , "
        "ThreatCategory = ['classification'] , EventSeverity = case(['priority'] == '0', 'High', ['priority'] == "
        "'1', 'Medium', ['priority'] == '2', 'Low', 'Informational') , EventResult = iff(['blocked'] == true, "
        "'Failure', 'Success') , EventType = ['idsEventType'] , EventProduct = ['eventProduct'] , EventVendor = "
        "['eventVendor'] , EventSchemaVersion = ['eventSchemaVersion'] , EventCount = toint(['eventCount']) | "
        "project TimeGenerated , EventOriginalType , DvcMacAddr , SrcMacAddr , SrcIpAddr , DstIpAddr , "
        "NetworkProtocol , EventOriginalSeverity , EventMessage , RuleName , SrcHostname , ThreatName , "
        "ThreatCategory , EventSeverity , EventResult , EventType , EventProduct , EventVendor , "
        "EventSchemaVersion , EventCount",
    ),
]
