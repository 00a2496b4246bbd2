package sqlstore

import "strings"

// builtinProduct is one self-service product of the built-in catalog.
// Service plans are "NAME|service plan id|friendly name" rows taken from the
// SKU's rows of Microsoft's licensing CSV; they are parsed only by init.
type builtinProduct struct {
	id, oldID, name, sku, skuID string
	priceCents                  int64
	trialWithoutPayment         bool
	plans                       string
}

func (p builtinProduct) servicePlans() [][3]string {
	var out [][3]string
	for _, row := range strings.Split(strings.TrimSuffix(p.plans, ";"), ";") {
		f := strings.SplitN(row, "|", 3)
		if len(f) == 3 {
			out = append(out, [3]string{f[0], f[1], f[2]})
		}
	}
	return out
}

// builtinCatalog is the catalog of self-service products (SPEC §4), with
// list prices per user per month.
var builtinCatalog = []builtinProduct{
	{id: "CFQ7TTC0LH2H", oldID: "CFQ7TTC0KP0P", name: "Power Apps per user", sku: "POWERAPPS_PER_USER", skuID: "b30411f5-fea1-4a59-9ad9-3db7c7ead579", priceCents: 2000, trialWithoutPayment: false,
		plans: "DYN365_CDS_P2|6ea4c1ef-c259-46df-bce2-943342cd3cb2|Common Data Service - P2;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;POWERAPPS_PER_USER|ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86|Power Apps per User Plan;Flow_PowerApps_PerUser|dc789ed8-0170-4b65-a415-eb77d5bb350a|Power Automate for Power Apps per User Plan;"},
	{id: "CFQ7TTC0LH3L", oldID: "CFQ7TTC0KP0N", name: "Power Automate per user", sku: "FLOW_PER_USER", skuID: "4a51bf65-409c-4a91-b845-1121b571cc9d", priceCents: 1500, trialWithoutPayment: false,
		plans: "DYN365_CDS_P2|6ea4c1ef-c259-46df-bce2-943342cd3cb2|Common Data Service - P2;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;FLOW_PER_USER|c5002c70-f725-4367-b409-f0eff4fee6c0|Flow per user plan;"},
	{id: "CFQ7TTC0LSGZ", oldID: "CFQ7TTC0KXG6", name: "Power Automate RPA", sku: "POWERAUTOMATE_ATTENDED_RPA", skuID: "eda1941c-3c4f-4995-b5eb-e85a42175ab9", priceCents: 4000, trialWithoutPayment: false,
		plans: "CDS_ATTENDED_RPA|3da2fd4c-1bee-4b61-a17f-94c31e5cab93|Common Data Service Attended RPA;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;POWER_AUTOMATE_ATTENDED_RPA|375cd0ad-c407-49fd-866a-0bff4f8a9a4d|Power Automate RPA Attended;"},
	{id: "CFQ7TTC0H9MP", oldID: "CFQ7TTC0L3PB", name: "Power BI Pro", sku: "POWER_BI_PRO", skuID: "f8a1db68-be16-40ed-86d5-cb42ce701560", priceCents: 1400, trialWithoutPayment: false,
		plans: "EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;BI_AZURE_P2|70d33638-9c74-4d01-bfd3-562de28bd4ba|Power BI Pro;"},
	{id: "CFQ7TTC0H6RP", oldID: "CFQ7TTC0KXG7", name: "Power BI Premium", sku: "PBI_PREMIUM_PER_USER", skuID: "c1d032e0-5619-4761-9b5c-75b6831e1711", priceCents: 2400, trialWithoutPayment: false,
		plans: "EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;BI_AZURE_P3|0bf3c642-7bb5-4ccc-884e-59d09df0266c|Power BI Premium Per User;BI_AZURE_P2|70d33638-9c74-4d01-bfd3-562de28bd4ba|Power BI Pro;"},
	{id: "CFQ7TTC0HDB1", oldID: "CFQ7TTC0KXND", name: "Planner Plan 1", sku: "PROJECT_P1", skuID: "beb6439c-caad-48d3-bf46-0c82871e12be", priceCents: 1000, trialWithoutPayment: true,
		plans: "DYN365_CDS_FOR_PROJECT_P1|a6f677b3-62a6-4644-93e7-2a85d240845e|COMMON DATA SERVICE FOR PROJECT P1;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|EXCHANGE FOUNDATION;Power_Automate_For_Project_P1|00283e6b-2bd8-440f-a2d5-87358e4c89a1|POWER AUTOMATE FOR PROJECT P1;PROJECT_ESSENTIALS|1259157c-8581-4875-bca7-2ffb18c51bda|PROJECT ONLINE ESSENTIALS;PROJECT_P1|4a12c688-56c6-461a-87b1-30d6f32136f9|PROJECT P1;SHAREPOINTSTANDARD|c7699d2e-19aa-44de-8edf-1736da088ca1|SHAREPOINT;"},
	{id: "CFQ7TTC0HDB0", oldID: "CFQ7TTC0KXNC", name: "Project Plan 3", sku: "PROJECTPROFESSIONAL", skuID: "53818b1b-4a27-454b-8896-0dba576410e6", priceCents: 3000, trialWithoutPayment: false,
		plans: "DYN365_CDS_PROJECT|50554c47-71d9-49fd-bc54-42a2765c555c|Common Data Service for Project;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;FLOW_FOR_PROJECT|fa200448-008c-4acb-abd4-ea106ed2199d|Flow for Project;SHAREPOINTWAC|e95bec33-7c88-4a70-8e19-b10bd9d0c014|Office for the web;PROJECT_CLIENT_SUBSCRIPTION|fafd7243-e5c1-4a3a-9e40-495efcb1d3c3|Project Online Desktop Client;SHAREPOINT_PROJECT|fe71d6c3-a2ea-4499-9778-da042bf08063|Project Online Service;PROJECT_PROFESSIONAL|818523f5-016b-4355-9be8-ed6944946ea7|Project P3;SHAREPOINTENTERPRISE|5dbe027f-2339-4123-9542-606e4d348a72|SharePoint (Plan 2);"},
	{id: "CFQ7TTC0HD33", oldID: "CFQ7TTC0KXN9", name: "Visio Plan 1", sku: "VISIO_PLAN1_DEPT", skuID: "ca7f3140-d88c-455b-9a1c-7f0679e31a76", priceCents: 500, trialWithoutPayment: true,
		plans: "EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;ONEDRIVE_BASIC|da792a53-cbc0-4184-a10d-e544dd34b3c1|OneDrive for business Basic;VISIOONLINE|2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f|Visio web app;"},
	{id: "CFQ7TTC0HD32", oldID: "CFQ7TTC0KXN8", name: "Visio Plan 2", sku: "VISIO_PLAN2_DEPT", skuID: "38b434d2-a15e-4cde-9a98-e737c75623e1", priceCents: 1500, trialWithoutPayment: false,
		plans: "EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;ONEDRIVE_BASIC|da792a53-cbc0-4184-a10d-e544dd34b3c1|OneDrive for Business (Basic);VISIO_CLIENT_SUBSCRIPTION|663a804f-1c30-4ff0-9915-9db84f0d1cea|Visio Desktop App;VISIOONLINE|2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f|Visio Web App;"},
	{id: "CFQ7TTC0J1FV", oldID: "", name: "Teams Exploratory", sku: "TEAMS_EXPLORATORY", skuID: "710779e8-3d4a-4c88-adb9-386c958d1fdf", priceCents: 0, trialWithoutPayment: true,
		plans: "CDS_O365_P1|bed136c6-b799-4462-824d-fc045d3a9d25|COMMON DATA SERVICE FOR TEAMS_P1;EXCHANGE_S_STANDARD|9aaf7827-d63c-4b61-89c3-182f06f82e5c|EXCHANGE ONLINE (PLAN 1);MYANALYTICS_P2|33c4f319-9bdd-48d6-9c4d-410b750a4a5a|INSIGHTS BY MYANALYTICS;FORMS_PLAN_E1|159f4cd6-e380-449f-a816-af1a9ef76344|MICROSOFT FORMS (PLAN E1);PROJECTWORKMANAGEMENT|b737dad2-2f6c-4c65-90e3-ca563267e8b9|MICROSOFT PLANNER;MICROSOFT_SEARCH|94065c59-bc8e-4e8b-89e5-5138d471eaff|MICROSOFT SEARCH;DESKLESS|8c7d2df8-86f0-4902-b2ed-a0458298f3b3|MICROSOFT STAFFHUB;STREAM_O365_E1|743dd19e-1ce3-4c62-a3ad-49ba8f63a2f6|MICROSOFT STREAM FOR O365 E1 SKU;TEAMS1|57ff2da0-773e-42df-b2af-ffb7a2317929|MICROSOFT TEAMS;MCO_TEAMS_IW|42a3ec34-28ba-46b6-992f-db53a675ac5b|MICROSOFT TEAMS;INTUNE_O365|882e1d05-acd1-4ccb-8708-6ee03664b117|MOBILE DEVICE MANAGEMENT FOR OFFICE 365;SHAREPOINTWAC|e95bec33-7c88-4a70-8e19-b10bd9d0c014|OFFICE FOR THE WEB;OFFICEMOBILE_SUBSCRIPTION|c63d4d19-e8cb-460e-b37c-4d6c34603745|OFFICE MOBILE APPS FOR OFFICE 365;POWERAPPS_O365_P1|92f7a6f3-b89b-4bbd-8c30-809e6da5ad1c|POWER APPS FOR OFFICE 365;FLOW_O365_P1|0f9b09cb-62d1-4ff4-9129-43f4996f83f4|POWER AUTOMATE FOR OFFICE 365;POWER_VIRTUAL_AGENTS_O365_P1|0683001c-0492-4d59-9515-d9a6426b5813|POWER VIRTUAL AGENTS FOR OFFICE 365 P1;SHAREPOINTSTANDARD|c7699d2e-19aa-44de-8edf-1736da088ca1|SHAREPOINT STANDARD;SWAY|a23b959c-7ce8-4e57-9140-b90eb88a9e97|SWAY;BPOS_S_TODO_1|5e62787c-c316-451f-b873-1d05acd4d12c|TO-DO (PLAN 1);WHITEBOARD_PLAN1|b8afc642-032e-4de5-8c0a-507a7bba7e5d|WHITEBOARD (PLAN 1);YAMMER_ENTERPRISE|7547a3fe-08ee-4ccb-b430-5077c5041653|YAMMER ENTERPRIS;"},
	// Not in the licensing CSV: plans as the admin center lists them.
	{id: "CFQ7TTC0MM8R", name: "Microsoft 365 Copilot", sku: "Microsoft_365_Copilot", skuID: "639dec6b-bb19-468b-871c-c5c441c4b0cb", priceCents: 3000,
		plans: "M365_COPILOT_APPS||Microsoft 365 Copilot in Productivity Apps;M365_COPILOT_TEAMS||Microsoft 365 Copilot in Microsoft Teams;M365_COPILOT_BUSINESS_CHAT||Microsoft 365 Copilot Chat;GRAPH_CONNECTORS_COPILOT||Graph Connectors in Microsoft 365 Copilot;M365_COPILOT_INTELLIGENT_SEARCH||Intelligent Search;"},
	{id: "CFQ7TTC0N8SL", name: "Microsoft Purview Discovery", sku: "Microsoft_Purview_Discovery", priceCents: 0, trialWithoutPayment: true,
		plans: "PURVIEW_DISCOVERY||Microsoft Purview Discovery;EXCHANGE_S_FOUNDATION|113feb6c-3fe4-4440-bddc-54d774bf0318|Exchange Foundation;"},
}
