# What the gateway answers before plain-language questions exist: the seed's client calls with an explicit source on
# the sample's existing columns, through both MCPClient and its data client.
from mcp.client import MCPClient

client = MCPClient(api_key="your_api_key")

result = await client.execute_sql("SELECT job_id, title, location FROM jobs WHERE title = 'Software Engineer' ORDER BY job_id", source="jobs_db")

result = await client.data.query(source="jobs_db", query={"title": "Software Engineer", "location": "Austin, TX"}, order_by=["job_id"])

result = await client.list_sources()
