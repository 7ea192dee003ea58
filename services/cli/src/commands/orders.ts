import type { Order } from '@offside/core'
import type { Command } from 'commander'
import { type Cli, decisionCommands, path } from '../context.js'

const line = (o: Order) =>
  `${o.id}\t${o.suspended ? 'SUSPENDED' : 'in force'}\t${o.rightsholder}\t${o.season}\t${o.competitions.join(',')}\t${o.reference}`

/** `order …`: the authority's orders (one rightsholder, competitions, one season). */
export function registerOrders(program: Command, cli: Cli): void {
  const order = program.command('order').description("the authority's blocking orders")
  order
    .command('list')
    .description('orders (a rightsholder sees its own)')
    .action(async () => {
      const result = (await cli.call('authority', '/v1/orders')) as { orders: Order[] }
      cli.show(result, () => {
        for (const o of result.orders) cli.io.out(line(o))
      })
    })
  order
    .command('put <id>')
    .description('issue or update an order (authority)')
    .requiredOption('--rightsholder <id>', 'the rightsholder whose lists it enables')
    .requiredOption('--competition <id...>', 'the competitions it covers')
    .requiredOption('--season <season>', 'the season, e.g. 2026-27')
    .requiredOption('--reference <text>', 'the legal reference, e.g. 123/26/DDA')
    .action(
      async (
        id: string,
        options: { rightsholder: string; competition: string[]; season: string; reference: string },
      ) => {
        const put = (await cli.call('authority', `/v1/orders${path(id)}`, {
          method: 'PUT',
          body: {
            rightsholder: options.rightsholder,
            competitions: options.competition,
            season: options.season,
            reference: options.reference,
          },
        })) as Order
        cli.show(put, () => cli.io.out(line(put)))
      },
    )
  decisionCommands(order, cli, {
    role: 'authority',
    resource: '/v1/orders',
    actions: {
      suspend: 'suspend an order: its entries leave enforcement at once (unless another order keeps them)',
      resume: 'resume a suspended order: its entries are enforced again in their windows',
    },
    done: line,
  })
}
