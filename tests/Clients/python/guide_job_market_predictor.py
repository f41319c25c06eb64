# The user guide's "Example: Using Data Sources in Your Model" (seeds/000_f1c8da8abdfd154e.txt), its data part as
# written: the import, the JobMarketPredictor class and the data client it is made with. Left out are the FastAPI app,
# the pydantic request/response models and the /predict route around it (a web framework is not what is tested
# here); the class text below is the guide's, unchanged. The guide leaves `self.model` to the reader, so
# job_market_driver.py gives the predictor a stand-in model that records what the two queries answered.
from mcp.data import DataSourceClient  # MCP's data access library

class JobMarketPredictor:
    def __init__(self, data_client: DataSourceClient):
        self.data_client = data_client
    
    async def predict(self, job_title: str, location: str, timeframe: str) -> dict:
        # Fetch historical job data
        job_data = await self.data_client.query(
            source="jobs_db",
            query={
                "title": job_title,
                "location": location,
                "posted_date": f"last_{timeframe}"
            }
        )
        
        # Fetch market analytics
        market_trends = await self.data_client.query(
            source="snowflake",
            table="MARKET_ANALYTICS.JOB_TRENDS",
            filters={
                "job_category": job_title,
                "region": location,
                "period": timeframe
            }
        )
        
        # Your model logic here
        prediction = self.model.predict(job_data, market_trends)
        
        return {
            "predicted_salary_range": prediction.salary_range,
            "market_demand": prediction.demand,
            "growth_trend": prediction.trend
        }

# Initialize with your model and data client
data_client = DataSourceClient(api_key="your_api_key")
predictor = JobMarketPredictor(data_client)
