/**
 * What an organisation is: the authority, a rightsholder, an ISP or the operations task force.
 * A token acts in the role of its organisation's kind, so these are also the API's roles.
 */
export const orgKinds = ['authority', 'rightsholder', 'isp', 'ops'] as const
export type OrgKind = (typeof orgKinds)[number]
