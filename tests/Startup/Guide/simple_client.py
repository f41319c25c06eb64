import requests

class MCPClient:
    def __init__(self, api_key, base_url="http://localhost:8000"):
        self.api_key = api_key
        self.base_url = base_url
        self.headers = {
            "X-API-Key": api_key,
            "Content-Type": "application/json"
        }
    
    def predict(self, model_id, text):
        url = f"{self.base_url}/api/models/{model_id}/predict"
        response = requests.post(
            url,
            headers=self.headers,
            json={"text": text}
        )
        return response.json()

# Usage
client = MCPClient("your_api_key")
result = client.predict("mod_xxxxx", "This product is amazing!")
print(result)  # {"sentiment": "positive", "confidence": 0.95}
