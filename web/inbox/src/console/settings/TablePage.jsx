// The frame of a settings page that lists things in a table (channel accounts, web-chat sites): title, the
// server's problem, a line of help, and the table under its column headers. `footer` goes inside the
// table's card (e.g. a form to add one), `children` below it (e.g. the editor of the selected row).
import { Alert, Paper, Stack, Table, Text, Title } from '@mantine/core';

export default function TablePage({ title, problem, help, headers, rows, footer, children }) {
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{title}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Text size="sm" c="dimmed">{help}</Text>
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={title}>
          <Table.Thead><Table.Tr>
            {headers.map((header, i) => <Table.Th key={i}>{header}</Table.Th>)}
          </Table.Tr></Table.Thead>
          <Table.Tbody>{rows}</Table.Tbody>
        </Table>
        {footer}
      </Paper>
      {children}
    </Stack>
  );
}
