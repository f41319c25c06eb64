from mcp.client import MCPClient

client = MCPClient(api_key="your_api_key")

# Natural language query
result = await client.query("Show me active jobs for today")

# Direct SQL query
result = await client.execute_sql("SELECT * FROM jobs WHERE status = 'active'")
